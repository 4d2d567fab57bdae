from scripts.preview.cli import main

raise SystemExit(main())
