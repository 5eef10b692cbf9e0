"""Stage « applying the model »: what-if, batch scoring, threshold, transparency sheet, report and bundle."""
