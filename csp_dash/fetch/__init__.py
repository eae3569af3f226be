"""Fetch police.uk street crime for a district: archives for history, the API for new months."""
