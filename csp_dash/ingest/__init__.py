"""Loading data: police.uk street crime, boundaries, populations, comparison tables, the
residents' survey, and partner data (ingest/partner/). Every refusal is an IngestError naming
the file, the row and the problem; nothing half-loads.
"""
