"""The parts of bench/versus_ls.py: the anchor's shared pieces, each side's phases, the ratios."""
