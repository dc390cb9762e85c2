"""Bulk import of works and parties from CSV and CWR files (DOMAIN.md, "Bulk import"):
`files` reads them streamed, `importer` writes them a chunk at a time, `__main__` is the command."""
