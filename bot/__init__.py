"""newsdesk in Slack: the bolt app, its listeners, rendering and the serve entry point."""
