<?xml version="1.0" encoding="UTF-8"?>
<!-- Stand-in for the freb.xsl IIS writes beside its traces: a style sheet, not a trace. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:template match="/"><html><body><xsl:value-of select="failedRequest/@url"/></body></html></xsl:template>
</xsl:stylesheet>
