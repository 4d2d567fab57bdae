"""The app's pages: Dash Pages imports every module here when the app is built."""
