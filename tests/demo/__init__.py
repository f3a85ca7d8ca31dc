"""`kaohe demo`: the model letter through the real API, on embedded defaults and on PostgreSQL + Redis."""
