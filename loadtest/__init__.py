"""The load generator behind `manage.py loadtest`: scenario, protocol clients, server launcher, statistics.

It runs in processes of its own, separate from the server, and speaks the real wire protocols over
real WebSockets. Nothing here is imported by the server.
"""
