"""Write-side services of the opendata app: one transaction and one audit event per change."""
