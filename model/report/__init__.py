"""What people read: Altair charts (`charts`) and the generated documentation (`docs`)."""
