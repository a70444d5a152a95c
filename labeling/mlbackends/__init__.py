"""The Label Studio ML backend protocol, spoken as its client (label-studio-ml 2.0.x, also 1.0.9 answers)."""
