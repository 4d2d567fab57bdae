throw new Error("deliberate console failure");
