from canhbao.cli import main

raise SystemExit(main())
