"""The Strategic Assessment: a report model built from live figures, rendered to Word and PDF.

``assessment`` builds the model by calling the same functions the pages use; ``docx`` and
``pdf`` render it; ``narrative`` stores the analyst's edits per assessment period.
"""
