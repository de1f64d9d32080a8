-- n8n keeps its own database on the same server.
CREATE DATABASE n8n;
