"""Widget views on top of labkit's pure core: one small class per screen, shared parts written once."""
