<?xml version="1.0"?>
<!-- The UserMessage replaced by a Receipt signal. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/">
  <xsl:import href="identity.xsl"/>
  <xsl:template match="eb:UserMessage">
    <eb:SignalMessage>
      <eb:MessageInfo>
        <eb:Timestamp><xsl:value-of select="eb:MessageInfo/eb:Timestamp"/></eb:Timestamp>
        <eb:MessageId>signal-<xsl:value-of select="eb:MessageInfo/eb:MessageId"/></eb:MessageId>
        <eb:RefToMessageId>earlier@SG-NTP</eb:RefToMessageId>
      </eb:MessageInfo>
      <eb:Receipt/>
    </eb:SignalMessage>
  </xsl:template>
</xsl:stylesheet>
