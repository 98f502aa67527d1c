import threading
import time
import unittest
import uuid

from opm_client import (
    BadRequestError,
    Client,
    ConnectionFailedError,
    ForbiddenError,
    MissingVariableError,
    NotFoundError,
    OpmError,
    UnauthorizedError,
)
from opm_client.errors import ServerError, error_from_response

from .stack import SLUG, Stack

stack = Stack()


def setUpModule() -> None:
    stack.start()


def tearDownModule() -> None:
    stack.stop()


class ClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.admin = Client(stack.base_url, stack.api_key)
        created = self.admin._request("POST", "/v1/keys", {"name": "py-" + uuid.uuid4().hex[:8], "role": "runner"})
        self.runner = Client(stack.base_url, created["key"])

    def test_run_waits_for_the_finished_run(self) -> None:
        run = self.runner.run(SLUG, {"person": "Ada"}, timeout_ms=20000, tags=["python"])
        self.assertEqual(run["status"], "completed")
        self.assertIn("Hello, I am Ada.", run["text"])

    def test_enqueue_then_wait_for_run_over_events(self) -> None:
        job_id = self.runner.enqueue(SLUG, {"person": "Grace"}, delay_ms=500)
        run = self.runner.wait_for_run(job_id, timeout_ms=20000)
        self.assertEqual(run["jobId"], job_id)
        self.assertEqual(run["status"], "completed")
        stored = self.runner.get_run(job_id)
        self.assertIsNotNone(stored)
        self.assertIn("Grace", stored["text"])

    def test_enqueue_many_returns_ids_in_order(self) -> None:
        ids = self.runner.enqueue_many([{"slug": SLUG, "vars": {"person": "P{}".format(i)}} for i in range(3)])
        self.assertEqual(len(ids), 3)
        for index, job_id in enumerate(ids):
            self.assertIn("P{}".format(index), self.runner.wait_for_run(job_id, timeout_ms=20000)["text"])

    def test_get_run_returns_none_for_an_unknown_job(self) -> None:
        self.assertIsNone(self.runner.get_run("no-such-job"))

    def test_iter_events_yields_completions(self) -> None:
        received = []

        def listen() -> None:
            for run in self.admin.iter_events(slug=SLUG, timeout_ms=15000):
                received.append(run)
                if run["text"] and "Events" in run["text"]:
                    return

        listener = threading.Thread(target=listen)
        listener.start()
        time.sleep(0.5)
        job_id = self.runner.enqueue(SLUG, {"person": "Events"})
        listener.join(timeout=20)
        self.assertIn(job_id, [run["jobId"] for run in received])

    def test_missing_variable_raises_missing_variable_error(self) -> None:
        with self.assertRaises(MissingVariableError) as caught:
            self.runner.run(SLUG, {}, timeout_ms=20000)
        self.assertEqual(caught.exception.code, "prompty.missing_input")
        self.assertEqual(caught.exception.details["input"], "person")
        with self.assertRaises(MissingVariableError):
            self.admin.render(SLUG, {})

    def test_unknown_slug_raises_not_found_with_suggestions(self) -> None:
        with self.assertRaises(NotFoundError) as caught:
            self.runner.enqueue("acme/greetin", {})
        self.assertEqual(caught.exception.code, "registry.slug_not_found")
        self.assertEqual(caught.exception.details["suggestions"], [SLUG])

    def test_bad_and_missing_keys_raise_unauthorized(self) -> None:
        with self.assertRaises(UnauthorizedError) as caught:
            Client(stack.base_url, "opm_wrong").enqueue(SLUG, {"person": "x"})
        self.assertEqual(caught.exception.status, 401)
        self.assertNotIn("opm_wrong", str(caught.exception))

    def test_insufficient_role_raises_forbidden(self) -> None:
        with self.assertRaises(ForbiddenError) as caught:
            self.runner.list_runs()
        self.assertEqual(caught.exception.code, "api.forbidden")

    def test_invalid_body_raises_bad_request(self) -> None:
        job_id = self.runner.run(SLUG, {"person": "Score"}, timeout_ms=20000)["jobId"]
        with self.assertRaises(BadRequestError):
            self.runner.feedback(job_id, 5)
        recorded = self.runner.feedback(job_id, 1, "great")
        self.assertEqual(recorded["score"], 1)

    def test_prompts_runs_and_stats_read_back(self) -> None:
        self.runner.run(SLUG, {"person": "Stats"}, timeout_ms=20000)
        self.assertEqual(self.admin.list_prompts("acme")["prompts"][0]["slug"], SLUG)
        self.assertEqual(self.admin.get_prompt(SLUG)["inputs"][0]["name"], "person")
        page = self.admin.list_runs(slug=SLUG, limit=1)
        self.assertEqual(len(page["runs"]), 1)
        self.assertGreater(self.admin.stats(SLUG)["rows"][0]["count"], 0)

    def test_unreachable_server_raises_connection_failed(self) -> None:
        with self.assertRaises(ConnectionFailedError):
            Client("http://127.0.0.1:9", "opm_x", timeout=2).get_run("x")

    def test_repr_never_shows_the_key(self) -> None:
        self.assertNotIn(stack.api_key, repr(self.admin))


class ErrorMappingTest(unittest.TestCase):
    def test_maps_statuses_to_exception_classes(self) -> None:
        body = {"error": {"code": "gateway.all_failed", "message": "every model failed", "details": {"jobId": "j"}}}
        error = error_from_response(502, body)
        self.assertIsInstance(error, ServerError)
        self.assertEqual((error.code, error.status, error.details["jobId"]), ("gateway.all_failed", 502, "j"))
        self.assertIsInstance(error_from_response(418, None), OpmError)
        self.assertEqual(error_from_response(418, None).code, "http.418")


if __name__ == "__main__":
    unittest.main()
