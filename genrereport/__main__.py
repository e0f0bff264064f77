from genrereport.cli import main

raise SystemExit(main())
