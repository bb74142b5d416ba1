#!/bin/sh
# Entrypoint of the Reddish image (deploy/Dockerfile), in the manner of the
# official redis image's:
#
#   (no arguments)                  reddish-server, as CMD says
#   --port 7000 ...                 reddish-server --port 7000 ...
#   /etc/reddish/redis.conf ...     reddish-server /etc/reddish/redis.conf ...
#   sentinel /data/sentinel.conf .. reddish-sentinel /data/sentinel.conf ...
#   anything else                   run as given (sh, redis-cli, reddish-check-rdb, ...)
#
# REDDISH_CONFIG_TEMPLATE=/path/template.conf: when the config file named on the
# command line does not exist yet, it is first copied from this template. Sentinel
# rewrites its config file (and a server rewrites its own on CONFIG REWRITE, which
# Sentinel sends after a failover), so the file must be writable and should live on
# the data volume; the template can be a read-only mount. A file that exists already
# is left alone: it holds what Sentinel learnt (current master, epochs, peers).
#
# Like the official image, a server started without a config file does not run in
# protected mode (there is no other way to reach it from outside the container);
# a config file or --protected-mode on the command line decides otherwise.
set -eu

case "${1:-}" in
  -*|*.conf) set -- reddish-server "$@" ;;
  sentinel) shift; set -- reddish-sentinel "$@" ;;
esac

case "${1:-}" in
  reddish-server|reddish-sentinel)
    if [ -n "${REDDISH_CONFIG_TEMPLATE:-}" ]; then
      case "${2:-}" in
        *.conf)
          if [ ! -e "$2" ]; then
            cp "$REDDISH_CONFIG_TEMPLATE" "$2"
            echo "docker-entrypoint: created $2 from $REDDISH_CONFIG_TEMPLATE"
          fi
          ;;
        *)
          echo "docker-entrypoint: REDDISH_CONFIG_TEMPLATE is set but no config file follows $1" >&2
          exit 1
          ;;
      esac
    fi
    if [ "$1" = reddish-server ]; then
      case "${2:-}" in
        *.conf) ;;
        *)
          case " $* " in
            *" --protected-mode "*) ;;
            *) set -- "$@" --protected-mode no ;;
          esac
          ;;
      esac
    fi
    ;;
esac

exec "$@"
