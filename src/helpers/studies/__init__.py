"""One package per report: its profiles, its paper numbers, its steps and its claims."""
