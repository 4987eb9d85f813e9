"""The production profile: several Rasa instances behind nginx, sharing PostgreSQL and Redis.

`ASSISTANT_PROFILE=production make run` (or `python -m bot.production`) starts the action server,
RASA_INSTANCES Rasa instances (endpoints.production.yml: PostgreSQL tracker store, Redis lock
store), the staff inbox, and nginx (Debian's package) in front of the instances on PUBLIC_PORT.
One at a time: the first instance creates the tracker store's tables, and two doing it at once
race in PostgreSQL's catalog.

Environment, beyond what `make run` reads (bot/launch.py):
  POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB, POSTGRES_USER, POSTGRES_PASSWORD   tracker store
  REDIS_HOST, REDIS_PORT, REDIS_DB, REDIS_PASSWORD, REDIS_KEY_PREFIX            lock store
  CLINIC_DATABASE_URL   booking requests, flags, unanswered questions (postgresql://...)
  RASA_API_TOKEN, STAFF_TOKEN   required: production makes no one-time tokens
  RASA_INSTANCES (2), RASA_PORT (5005: the first instance; the others count up from it),
  ACTION_PORT (5055), PUBLIC_PORT (8000: nginx, the one address the website and Twilio use)
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, List, Tuple

from bot.launch import (Settings, action_server_command, quiet_environment, rasa_command,
                        start_staff_inbox, stop, supervise, wait_for_url, wait_until_ready)

ENDPOINTS = "endpoints.production.yml"
REQUIRED = ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "REDIS_HOST",
            "REDIS_PORT", "CLINIC_DATABASE_URL", "RASA_API_TOKEN", "STAFF_TOKEN")
# Optional in endpoints.production.yml's terms: an empty value is a valid setting.
OPTIONAL = {"POSTGRES_PASSWORD": "", "REDIS_DB": "1", "REDIS_PASSWORD": "",
            "REDIS_KEY_PREFIX": "clinic"}
RUN_DIR = Path("var/nginx")


@dataclass(frozen=True)
class Production:
    base: Settings  # host, action port, token, model
    rasa_ports: Tuple[int, ...]
    public_port: int

    def instance(self, port: int) -> Settings:
        return replace(self.base, rasa_port=port, endpoints=ENDPOINTS)


def missing_settings(environ: Dict[str, str]) -> List[str]:
    return [name for name in REQUIRED if not environ.get(name)]


def production_environment(settings: Production, environ: Dict[str, str]) -> Dict[str, str]:
    """What the instances need: the optional values defaulted, the action server's URL."""
    action_url = f"http://{settings.base.host}:{settings.base.action_port}/webhook"
    return {**OPTIONAL, **environ, "ACTION_SERVER_URL": action_url}


# How nginx passes a patient's request (and the web chat's WebSocket) to an instance.
PROXY = """      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout;"""


def nginx_config(rasa_ports: List[int], listen: str, run_dir: Path) -> str:
    """nginx in front of the instances: any instance takes any request (the shared stores make
    that safe), WebSocket upgrades pass through for the web chat, and a request that never
    reached an instance goes to another one. A POST that did reach one is not retried, so a
    message is never processed twice."""
    servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
                        for port in rasa_ports)
    run = run_dir.resolve()
    return f"""# Written by bot/production.py; edits are overwritten at the next start.
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  # No access log: conversation ids in paths are phone numbers for SMS.
  access_log off;
  client_body_temp_path {run}/body;
  proxy_temp_path {run}/proxy;
  fastcgi_temp_path {run}/fastcgi;
  uwsgi_temp_path {run}/uwsgi;
  scgi_temp_path {run}/scgi;
  client_max_body_size 256k;
  upstream rasa {{
    least_conn;
{servers}
  }}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen {listen};
    # Patients' routes only. Rasa's HTTP API (/model, /conversations, ...) stays inside, and so
    # does its own route to the action server (bot/channels/action_relay.py).
    location /webhooks/action_relay/ {{ return 404; }}
    location / {{ return 404; }}
    location /webhooks/ {{
{PROXY}
    }}
    location /socket.io/ {{
{PROXY}
    }}
  }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise FileNotFoundError("nginx is not installed: `apt-get install nginx` (Debian)")
    return found


def start_nginx(settings: Production, run_dir: Path = RUN_DIR) -> subprocess.Popen:
    run_dir.mkdir(parents=True, exist_ok=True)
    config = run_dir / "nginx.conf"
    config.write_text(nginx_config(settings.rasa_ports,
                                   f"{settings.base.host}:{settings.public_port}", run_dir))
    # -e: nginx opens its default error log before reading the config; keep that one ours too.
    return subprocess.Popen([nginx_binary(), "-e", str((run_dir / "error.log").resolve()),
                             "-c", str(config.resolve()), "-g", "daemon off;"])


def start_instances(settings: Production, environ: Dict[str, str]) -> List[subprocess.Popen]:
    """The action server, then each Rasa instance once the one before answers /status."""
    env = quiet_environment(production_environment(settings, environ))
    processes = [subprocess.Popen(action_server_command(settings.base),
                                  env={**env, "SANIC_HOST": settings.base.host})]
    try:
        for port in settings.rasa_ports:
            instance = settings.instance(port)
            relay = f"http://{settings.base.host}:{port}/webhooks/action_relay/webhook"
            processes.append(subprocess.Popen(rasa_command(instance),
                                              env={**env, "ACTION_RELAY_URL": relay}))
            wait_until_ready(instance)
    except BaseException:
        stop(processes)
        raise
    return processes


def from_environment(environ: Dict[str, str]) -> Production:
    base = replace(Settings.from_environment(environ), endpoints=ENDPOINTS)
    instances = int(environ.get("RASA_INSTANCES", "2"))
    return Production(base=base,
                      rasa_ports=tuple(base.rasa_port + i for i in range(instances)),
                      public_port=int(environ.get("PUBLIC_PORT", "8000")))


def main() -> int:
    environ = dict(os.environ)
    missing = missing_settings(environ)
    if missing:
        print("The production profile needs these set: " + ", ".join(missing)
              + " (README, \"Production\").", file=sys.stderr)
        return 2
    settings = from_environment(environ)
    processes = start_instances(settings, environ)
    processes.append(start_staff_inbox(settings.instance(settings.rasa_ports[0]),
                                       production_environment(settings, environ)))
    processes.append(start_nginx(settings))
    wait_for_url(f"http://{settings.base.host}:{settings.public_port}/webhooks/rest/")
    print(f"Production profile: {len(settings.rasa_ports)} Rasa instances (ports "
          f"{', '.join(map(str, settings.rasa_ports))}) behind nginx at "
          f"http://{settings.base.host}:{settings.public_port}/ (Ctrl-C stops them).",
          file=sys.stderr)
    return supervise(processes)


if __name__ == "__main__":
    sys.exit(main())
