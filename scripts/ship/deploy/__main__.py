from scripts.ship.deploy.cli import main

raise SystemExit(main())
