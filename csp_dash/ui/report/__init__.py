"""The Report page's pieces: building the draft, the preview, narrative edits, downloads."""
