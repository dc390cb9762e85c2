"""`python -m rights_ops`: the same as `rights`."""

from rights_ops.cli import main

main()
