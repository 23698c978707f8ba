"""Write-side services of the enterprises app: one transaction and one audit event per change."""
