"""The server the tests talk to: OPM_BASE_URL + OPM_API_KEY when set (CI starts them), else a
real ``opm serve`` and ``opm worker`` started here from the repository checkout."""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from typing import List, Optional

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SLUG = "acme/greeting"
GREETING_PROMPT = """---
name: greeting
description: Greets a person
model:
  id: gpt-4o-mini
inputs:
  - name: person
    kind: string
    required: true
---
system:
Greet the person.

user:
Hello, I am {{person}}.
"""


class Stack:
    def __init__(self) -> None:
        self.base_url = ""
        self.api_key = ""
        self._processes: List[subprocess.Popen] = []
        self._prompts: Optional[str] = None

    def start(self) -> "Stack":
        if os.environ.get("OPM_BASE_URL") and os.environ.get("OPM_API_KEY"):
            self.base_url = os.environ["OPM_BASE_URL"]
            self.api_key = os.environ["OPM_API_KEY"]
            return self
        self._prompts = tempfile.mkdtemp(prefix="opm-py-prompts-")
        os.makedirs(os.path.join(self._prompts, "acme"))
        with open(os.path.join(self._prompts, "acme", "greeting.prompty"), "w") as handle:
            handle.write(GREETING_PROMPT)
        self.api_key = "opm_py_" + secrets.token_hex(16)
        env = dict(
            os.environ,
            DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
            REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
            OPM_QUEUE_PREFIX="test-py-" + uuid.uuid4().hex,
            OPM_PROMPTS_DIR=self._prompts,
            OPM_FORCE_PROVIDER="echo",
            OPM_ADMIN_KEY=self.api_key,
        )
        node = [shutil.which("node") or "node", "--import", "tsx", os.path.join(REPO_ROOT, "src", "cli", "main.ts")]
        worker = subprocess.Popen(node + ["worker"], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._processes.append(worker)
        self._wait_for(worker, '"message":"worker started"')
        server = subprocess.Popen(node + ["serve", "--port", "0"], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._processes.append(server)
        line = self._wait_for(server, '"listening"')
        self.base_url = json.loads(line)["listening"]
        return self

    @staticmethod
    def _wait_for(process: subprocess.Popen, marker: str, timeout: float = 60.0) -> str:
        deadline = time.time() + timeout
        assert process.stdout is not None
        while time.time() < deadline:
            line = process.stdout.readline().decode("utf-8")
            if not line and process.poll() is not None:
                raise RuntimeError("opm exited with {}".format(process.returncode))
            if marker in line:
                # Keep reading, so a full pipe never blocks the process.
                threading.Thread(target=process.stdout.read, daemon=True).start()
                return line
        raise RuntimeError("opm did not start within {} s".format(timeout))

    def stop(self) -> None:
        for process in reversed(self._processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            if process.stdout is not None:
                process.stdout.close()
        if self._prompts:
            shutil.rmtree(self._prompts, ignore_errors=True)
