"""The register's rules as plain Python: parties, works, examination, titles and numbering."""
