#!/bin/sh
# Check deploy/nginx/contest.conf with `nginx -t` on this machine, without installing it: a
# throw-away self-signed certificate and temporary paths stand in for the server's own.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
    -days 1 -subj /CN=contest-test >/dev/null 2>&1
sed -e "s#/etc/ssl/contest/fullchain.pem#$tmp/cert.pem#" \
    -e "s#/etc/ssl/contest/privkey.pem#$tmp/key.pem#" \
    -e "s#/var/log/nginx/contest.access.log#$tmp/access.log#" \
    -e "s#/srv/contest/deploy/nginx#$here#" \
    "$here/contest.conf" > "$tmp/site.conf"
cat > "$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    include $tmp/site.conf;
}
CONF
nginx -t -c "$tmp/nginx.conf"
