"""Operations: health and readiness for the load balancer, the job worker's heartbeat and
failures, consistent backups with a manifest, verified restores and the deployment check."""
