"""Parley's runtime interface client for Python functions (python3.9 ... python3.13).

`parley serve --lambda process` starts this file with the machine's python3 for every execution
environment of a Python function. It speaks the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API) the
way AWS's own Python runtime does, so the user's handler runs unchanged:

* _HANDLER = "module.function" (a dotted or slashed module path) under LAMBDA_TASK_ROOT, which
  is the working directory and first on sys.path;
* handler(event, context) with the context object AWS's runtime passes (function_name,
  aws_request_id, get_remaining_time_in_millis(), ...);
* an exception is posted to /invocation/{id}/error as Lambda reports it (errorMessage,
  errorType, requestId, stackTrace); a failure to import the handler goes to /init/error and
  the process exits, as on Lambda;
* a result that is not JSON-serialisable is Runtime.MarshalError.

Before the handler's module is imported, botocore is taught AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE> (an import hook, so nothing is imported that the function does not
import itself): Debian 12's boto3 1.26 predates those variables, and they are how the function's
DynamoDB and management API calls reach the local endpoints without a change to its code.

Standard library only: it must run on any python3 the machine has.
"""

import importlib
import importlib.abc
import importlib.util
import json
import logging
import os
import socket
import sys
import time
import traceback

RUNTIME_PATH = b"/2018-06-01/runtime"
MAX_RESPONSE = 6 * 1024 * 1024  # the Runtime API's limit for a response


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self, identity_id=None, pool_id=None):
        self.cognito_identity_id = identity_id
        self.cognito_identity_pool_id = pool_id


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code",
                 "app_package_name"]

    def __init__(self, c):
        self.installation_id = c.get("installation_id")
        self.app_title = c.get("app_title")
        self.app_version_name = c.get("app_version_name")
        self.app_version_code = c.get("app_version_code")
        self.app_package_name = c.get("app_package_name")


class ClientContext:
    __slots__ = ["custom", "env", "client"]

    def __init__(self, c):
        self.custom = c.get("custom")
        self.env = c.get("env")
        self.client = Client(c["client"]) if c.get("client") else None


class LambdaContext:
    """The `context` argument, with the attributes and method of AWS's Python runtime."""

    def __init__(self, request_id, deadline_ms, function_arn, identity, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        # The header's names are camelCase (cognitoIdentityId, cognitoIdentityPoolId).
        self.identity = (CognitoIdentity(identity.get("cognitoIdentityId"),
                                         identity.get("cognitoIdentityPoolId"))
                         if identity else CognitoIdentity())
        self.client_context = ClientContext(client_context) if client_context else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def __repr__(self):
        return ("LambdaContext([aws_request_id={0},log_group_name={1},log_stream_name={2},"
                "function_name={3},memory_limit_in_mb={4},function_version={5},"
                "invoked_function_arn={6},client_context={7},identity={8}])").format(
                    self.aws_request_id, self.log_group_name, self.log_stream_name,
                    self.function_name, self.memory_limit_in_mb, self.function_version,
                    self.invoked_function_arn, self.client_context, self.identity)


class Fault(Exception):
    """An init failure with Lambda's errorType (Runtime.ImportModuleError, ...)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class Response:
    __slots__ = ["status", "headers", "body"]

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body

    def getheader(self, name):
        return self.headers.get(name.lower())


class RuntimeApi:
    """The Runtime API over one kept-alive HTTP/1.1 connection.

    A few lines of HTTP instead of http.client: its header parsing (email.parser) costs more per
    invocation than everything else the runtime does (docs/lambda-local.md, Speed)."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.address = (host, int(port))
        self.host = address.encode()
        self.sock = None
        self.buffer = b""

    def _connect(self):
        self.sock = socket.create_connection(self.address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def _close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def _read_response(self):
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the Runtime API closed the connection")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = self.sock.recv(max(65536, length - len(rest)))
            if not chunk:
                raise ConnectionError("the Runtime API closed the connection")
            rest += chunk
        self.buffer = rest[length:]
        if headers.get("connection", "").lower() == "close":
            self._close()
        return Response(status, headers, rest[:length])

    def _request(self, method, path, body=b"", extra=b""):
        request = b"%s %s%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n%s\r\n" % (
            method, RUNTIME_PATH, path, self.host, len(body), extra)
        # A kept-alive connection the gateway closed is opened again once.
        for attempt in (0, 1):
            if self.sock is None:
                self._connect()
            try:
                self.sock.sendall(request + body if len(body) < 65536 else request)
                if len(body) >= 65536:
                    self.sock.sendall(body)
            except OSError:
                pass  # refused mid-body (413 closes the connection): its answer may be there
            try:
                return self._read_response()
            except OSError:
                self._close()
                if attempt:
                    raise

    def next(self):
        res = self._request(b"GET", b"/invocation/next")
        if res.status != 200:
            raise RuntimeError("GET /invocation/next answered %d: %r" % (res.status, res.body[:200]))
        return res, res.body

    def respond(self, request_id, body):
        res = self._request(b"POST", b"/invocation/%s/response" % request_id.encode(), body,
                            b"Content-Type: application/json\r\n")
        return res.status, res.body

    def error(self, path, error):
        self._request(b"POST", path.encode(), json.dumps(error).encode(),
                      b"Content-Type: application/json\r\n"
                      b"Lambda-Runtime-Function-Error-Type: Unhandled\r\n")


def error_body(exc, request_id=None):
    """Lambda's error document for an exception raised by the handler."""
    etype, value, tb = type(exc), exc, exc.__traceback__
    # The runtime's own frames are not the user's: Lambda shows only the handler's.
    frames = traceback.extract_tb(tb)
    frames = [f for f in frames if f.filename != __file__]
    body = {
        "errorMessage": str(value),
        "errorType": etype.__name__,
        "requestId": request_id or "",
        "stackTrace": traceback.format_list(frames),
    }
    return body


def load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    modname = modname.replace("/", ".")
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise Fault("Runtime.BuiltInModuleConflict",
                        "Cannot use built-in module %s as a handler module" % modname)
        module = importlib.import_module(modname)
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError",
                    "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault("Runtime.UserCodeSyntaxError",
                    "Syntax error in module '%s': %s" % (modname, e), trace)
    fn = getattr(module, fname, None)
    if fn is None:
        raise Fault("Runtime.HandlerNotFound",
                    "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


# --- AWS_ENDPOINT_URL_<SERVICE> for a botocore that predates it -------------------------------

def endpoint_from_env(service_name):
    """What current SDKs read: AWS_ENDPOINT_URL_<SERVICE ID> (upper case, spaces and dashes as
    underscores), else AWS_ENDPOINT_URL."""
    key = "AWS_ENDPOINT_URL_" + service_name.upper().replace("-", "_").replace(" ", "_")
    return os.environ.get(key) or os.environ.get("AWS_ENDPOINT_URL")


def patch_botocore_session(module):
    original = module.Session.create_client
    if getattr(original, "_parley_endpoints", False):
        return

    def create_client(self, service_name, *args, **kwargs):
        # endpoint_url is create_client's fifth positional parameter (after region_name,
        # api_version, use_ssl, verify); only an absent one is filled in.
        if len(args) < 4 and kwargs.get("endpoint_url") is None:
            url = endpoint_from_env(service_name)
            if url:
                kwargs["endpoint_url"] = url
        return original(self, service_name, *args, **kwargs)

    create_client._parley_endpoints = True
    module.Session.create_client = create_client


class BotocoreEndpointHook(importlib.abc.MetaPathFinder):
    """Patches botocore.session right after it is imported, by whoever imports it first."""

    def find_spec(self, name, path, target=None):
        if name != "botocore.session":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            patch_botocore_session(module)

        spec.loader.exec_module = exec_and_patch
        return spec


# --- logging as AWS's runtime sets it up ------------------------------------------------------

current_request_id = ""


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current_request_id
        return True


def setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        logging.getLogger().setLevel(level.upper())


def to_json(result):
    try:
        return json.dumps(result).encode()
    except (TypeError, ValueError) as e:
        raise Fault("Runtime.MarshalError", "Unable to marshal response: %s" % e)


def main():
    global current_request_id
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    sys.meta_path.insert(0, BotocoreEndpointHook())
    setup_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Fault as f:
        body = {"errorMessage": f.message, "errorType": f.error_type, "requestId": "",
                "stackTrace": f.trace or []}
        print("[ERROR] %s: %s" % (f.error_type, f.message), flush=True)
        api.error("/init/error", body)
        sys.exit(1)
    except Exception as e:  # the module raised while it was imported
        body = error_body(e)
        print("[ERROR] %s: %s" % (body["errorType"], body["errorMessage"]), flush=True)
        api.error("/init/error", body)
        sys.exit(1)

    while True:
        res, payload = api.next()
        request_id = res.getheader("Lambda-Runtime-Aws-Request-Id")
        current_request_id = request_id
        os.environ["_X_AMZN_TRACE_ID"] = res.getheader("Lambda-Runtime-Trace-Id") or ""
        identity = res.getheader("Lambda-Runtime-Cognito-Identity")
        client_context = res.getheader("Lambda-Runtime-Client-Context")
        context = LambdaContext(
            request_id, int(res.getheader("Lambda-Runtime-Deadline-Ms") or 0),
            res.getheader("Lambda-Runtime-Invoked-Function-Arn"),
            json.loads(identity) if identity else None,
            json.loads(client_context) if client_context else None)
        try:
            event = json.loads(payload) if payload else {}
            body = to_json(handler(event, context))
        except Fault as f:
            error = {"errorMessage": f.message, "errorType": f.error_type,
                     "requestId": request_id, "stackTrace": []}
            print("[ERROR] %s: %s" % (f.error_type, f.message), flush=True)
            api.error("/invocation/%s/error" % request_id, error)
            continue
        except Exception as e:
            error = error_body(e, request_id)
            # Lambda logs the error document too (what CloudWatch shows for a failed invoke).
            print("[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (
                error["errorType"], error["errorMessage"], "".join(error["stackTrace"])),
                end="", flush=True)
            api.error("/invocation/%s/error" % request_id, error)
            continue
        # Over Lambda's 6 MB the invocation fails with Lambda's error; the answer is not sent
        # (the Runtime API would refuse it with 413, closing the connection mid-body).
        status = 413 if len(body) > MAX_RESPONSE else api.respond(request_id, body)[0]
        if status == 413:
            error = {"errorMessage": "Response payload size exceeded maximum allowed payload "
                                     "size (6291556 bytes).",
                     "errorType": "Function.ResponseSizeTooLarge", "requestId": request_id,
                     "stackTrace": []}
            print("[ERROR] %s: %s" % (error["errorType"], error["errorMessage"]), flush=True)
            api.error("/invocation/%s/error" % request_id, error)


if __name__ == "__main__":
    main()
