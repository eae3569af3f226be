"""The synthetic demo district "Kestrel Vale": one module per part (police.uk files and
geography, comparators, partner data, priorities), loaded through the real ingest by loader.
"""
