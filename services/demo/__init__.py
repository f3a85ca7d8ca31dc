"""`kaohe demo`: the model letter's assessment run from 通知 to 报送 through the real HTTP API.

A client of the running service, as the officials would use it: it starts `kaohe serve` when no server is
given, sends every step as the official whose role it is, and asks the workers for the report.
"""
