from scripts.deploy.cli import main

raise SystemExit(main())
