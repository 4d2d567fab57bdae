"""Load tests: record a visit in the browser, replay it with Locust, size an app for Connect."""
