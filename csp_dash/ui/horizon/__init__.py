"""The Crime trends Forecast tab and the Crime series (near-repeat) page."""
