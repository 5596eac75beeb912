"""The three roles, one module each: decisions as pure functions, then the Mesa agent."""
