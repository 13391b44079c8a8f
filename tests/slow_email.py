"""An email backend for the worker integration tests: the file backend, with the latency
of a real SMTP exchange before each message is accepted, so that a SIGKILL lands in the
middle of a batch."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0.2")) * len(email_messages))
        return super().send_messages(email_messages)
