"""The storage of every stored file: private.

Nothing serves MEDIA_ROOT (no ``/media/`` route, no web-server alias): each kind of file goes out
only through a view that checks who may read it (evidence, objection attachments, publication
documents). So a storage URL would be a link to nowhere at best and a leak at worst: asking for
one is a programming error.
"""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError(
            f"{name!r} is a private file: serve it through its permission-checked view, "
            "never by a storage URL"
        )
