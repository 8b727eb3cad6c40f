"""Data shipped with disputeflow: statutory rights by country, classification phrases."""
