"""Serving the workbook: the Voilà server, the development server, the facilitator's room view."""
