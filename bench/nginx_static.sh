# Sourced by the side-by-side bench scripts: start_nginx WORK PORT starts one nginx worker pinned
# to CPU 1, serving the files of WORK on 127.0.0.1:PORT with keep-alive and no access log, so every
# script measures against the same reference server. The caller's cleanup kills $WORK/nginx.pid.
# NGINX_LISTEN_OPTIONS (e.g. http2: h2c with prior knowledge) is added to the listen directive,
# NGINX_SERVER_EXTRA (e.g. the ssl_certificate lines of a TLS listener) to the server block.
start_nginx() {
  local work=$1 port=$2
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 10;
pid $work/nginx.pid;
error_log $work/error.log;
daemon on;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work;
  server {
    listen 127.0.0.1:$port ${NGINX_LISTEN_OPTIONS:-};
    ${NGINX_SERVER_EXTRA:-}
    location / { root $work; default_type application/json; }
  }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work" 2>/dev/null
}
