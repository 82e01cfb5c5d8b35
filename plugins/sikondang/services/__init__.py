"""SIKONDANG's rules, one module per job; views, hooks, jobs and the CLI call them."""
