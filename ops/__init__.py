"""Operating a title from the command line: `python -m ops export | import | delete` (README "Operating").

A tool beside the hosts, not part of the core: it opens the store the settings name, as a host does, and
works through the core's own layout and rules.
"""
