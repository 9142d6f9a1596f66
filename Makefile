# Thin aliases for scripts/dev.sh, which needs nothing but Python 3.11 (make is optional).
.PHONY: install lock run demo test openapi bench
install:
	scripts/dev.sh install
lock:
	scripts/dev.sh lock
run:
	scripts/dev.sh run
demo:
	scripts/dev.sh demo
test:
	scripts/dev.sh test
openapi:
	scripts/dev.sh openapi
bench:
	scripts/dev.sh bench
