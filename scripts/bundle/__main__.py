from scripts.bundle.build import main

raise SystemExit(main())
