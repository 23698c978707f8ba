"""Working-day calendar: statutory holidays, 调休 and deadlines in 工作日 / 自然日 (docs §7.4)."""
