// Tells bootstrap-italia where the embedded fonts are (no CDN).
window.__PUBLIC_PATH__ = "/assets/bi/fonts";
