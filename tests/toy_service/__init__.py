"""A toy service that lives only in the test tree: the worked example of docs/adding-a-service.md."""
