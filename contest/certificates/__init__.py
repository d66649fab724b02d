"""Certificates for prize winners and their public verification."""
