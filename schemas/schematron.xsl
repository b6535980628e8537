<?xml version="1.0" encoding="UTF-8"?>
<!--
  swnode: ISO Schematron (the XPath 1.0 subset below) compiled to XSLT 1.0.

  Rules that a doctype or an agreement requires beyond the published schema
  (mandatory fields, code lists) are written in ISO Schematron; swnode
  compiles them with this stylesheet when it loads them, and runs the result
  on each document.  The result is a document

    <failures xmlns="urn:swnode:schematron:1">
      <failure path="/p:Root[1]/Child[2]" id="RULE-ID">message</failure>

  (path steps are the names as the document writes them, prefix and all).
    </failures>

  with one failure per failed assert or fired report, in document order of
  the patterns.  No failure: the document passes.

  Supported: sch:schema, sch:ns, sch:let (schema level, XPath value),
  sch:pattern (with its own sch:let), sch:rule/@context (an XSLT pattern),
  sch:assert/@test, sch:report/@test, @id on pattern, rule, assert and
  report, and inside messages sch:name, sch:value-of/@select and text.
  As Schematron says, within one pattern a node is matched by its first
  rule only.  Anything else in the sch namespace (phases, abstract
  patterns, includes, diagnostics) stops the compilation with a message:
  a rule swnode cannot check is refused, not silently skipped.

  How it works: each pattern becomes a mode; each rule a template of that
  mode whose priority falls with its position, so the first rule wins; the
  root template applies every mode to every element and attribute.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:sch="http://purl.oclc.org/dsdl/schematron"
    xmlns:out="urn:swnode:xslt-alias"
    exclude-result-prefixes="sch">

  <xsl:namespace-alias stylesheet-prefix="out" result-prefix="xsl"/>
  <xsl:output method="xml" indent="yes" encoding="UTF-8"/>

  <xsl:template match="/">
    <xsl:if test="not(sch:schema)">
      <xsl:message terminate="yes">not an ISO Schematron schema: the root must be sch:schema</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="sch:schema"/>
  </xsl:template>

  <!-- Refuse what this compiler does not implement. -->
  <xsl:template name="refuse-unsupported">
    <xsl:for-each select="//sch:*[not(self::sch:schema or self::sch:ns or self::sch:let or
                                    self::sch:pattern or self::sch:rule or self::sch:assert or
                                    self::sch:report or self::sch:name or self::sch:value-of or
                                    self::sch:title or self::sch:p)]">
      <xsl:message terminate="yes">Schematron element sch:<xsl:value-of select="local-name()"/> is not supported by swnode</xsl:message>
    </xsl:for-each>
    <xsl:for-each select="//sch:pattern[@abstract = 'true' or @is-a] | //sch:rule[@abstract = 'true'] | //sch:rule[not(@context)]">
      <xsl:message terminate="yes">abstract patterns and rules are not supported by swnode</xsl:message>
    </xsl:for-each>
    <xsl:for-each select="//sch:rule[contains(@context, 'text()') or contains(@context, 'comment()') or
                                     contains(@context, 'processing-instruction(') or contains(@context, 'node()')]">
      <xsl:message terminate="yes">rule context "<xsl:value-of select="@context"/>": swnode checks rules on the root, elements and attributes only (not text, comment or processing-instruction nodes)</xsl:message>
    </xsl:for-each>
    <xsl:if test="/sch:schema/@queryBinding and not(/sch:schema/@queryBinding = 'xslt' or /sch:schema/@queryBinding = 'xpath' or /sch:schema/@queryBinding = 'xpath1')">
      <xsl:message terminate="yes">queryBinding <xsl:value-of select="/sch:schema/@queryBinding"/> is not supported: swnode evaluates XPath 1.0 (queryBinding xslt)</xsl:message>
    </xsl:if>
  </xsl:template>

  <xsl:template match="sch:schema">
    <xsl:call-template name="refuse-unsupported"/>
    <out:stylesheet version="1.0">
      <xsl:for-each select="sch:ns">
        <xsl:attribute name="{concat(@prefix, ':dummy-for-ns')}" namespace="{@uri}">x</xsl:attribute>
      </xsl:for-each>
      <xsl:for-each select="sch:let">
        <out:variable name="{@name}" select="{@value}"/>
      </xsl:for-each>
      <out:template match="/">
        <failures xmlns="urn:swnode:schematron:1">
          <xsl:for-each select="sch:pattern">
            <out:apply-templates select="/|//*|//@*" mode="p{position()}"/>
          </xsl:for-each>
        </failures>
      </out:template>
      <!-- The path of the context node, with positions among same-named siblings. -->
      <out:template name="swn-path">
        <out:for-each select="ancestor-or-self::*">
          <out:text>/</out:text><out:value-of select="name()"/>
          <out:text>[</out:text>
          <out:value-of select="count(preceding-sibling::*[local-name() = local-name(current()) and namespace-uri() = namespace-uri(current())]) + 1"/>
          <out:text>]</out:text>
        </out:for-each>
      </out:template>
      <xsl:for-each select="sch:pattern">
        <xsl:variable name="mode" select="concat('p', position())"/>
        <xsl:variable name="pattern-id" select="@id"/>
        <xsl:for-each select="sch:rule">
          <out:template match="{@context}" mode="{$mode}" priority="{1000 - position()}">
            <xsl:for-each select="../sch:let | sch:let">
              <out:variable name="{@name}" select="{@value}"/>
            </xsl:for-each>
            <xsl:apply-templates select="sch:assert | sch:report"/>
          </out:template>
        </xsl:for-each>
        <!-- Nodes no rule matches: nothing, and no built-in text output. -->
        <out:template match="/|*|@*" mode="{$mode}" priority="-1000"/>
      </xsl:for-each>
    </out:stylesheet>
  </xsl:template>

  <xsl:template match="sch:assert | sch:report">
    <xsl:variable name="id" select="(@id | ../@id | ../../@id)[last()]"/>
    <out:if>
      <xsl:attribute name="test">
        <xsl:choose>
          <xsl:when test="self::sch:assert">not(<xsl:value-of select="@test"/>)</xsl:when>
          <xsl:otherwise><xsl:value-of select="@test"/></xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <failure xmlns="urn:swnode:schematron:1">
        <xsl:if test="$id"><xsl:attribute name="id"><xsl:value-of select="$id"/></xsl:attribute></xsl:if>
        <out:attribute name="path">
          <out:for-each select="ancestor-or-self::*[1]">
            <out:call-template name="swn-path"/>
          </out:for-each>
          <out:if test="not(self::*)">
            <out:text>/@</out:text><out:value-of select="name()"/>
          </out:if>
        </out:attribute>
        <xsl:apply-templates select="node()" mode="message"/>
      </failure>
    </out:if>
  </xsl:template>

  <xsl:template match="text()" mode="message">
    <out:text><xsl:value-of select="."/></out:text>
  </xsl:template>
  <xsl:template match="sch:name" mode="message">
    <out:value-of select="name({@path})"/>
  </xsl:template>
  <xsl:template match="sch:name[not(@path)]" mode="message">
    <out:value-of select="name()"/>
  </xsl:template>
  <xsl:template match="sch:value-of" mode="message">
    <out:value-of select="{@select}"/>
  </xsl:template>
  <xsl:template match="*" mode="message">
    <xsl:apply-templates select="node()" mode="message"/>
  </xsl:template>

</xsl:stylesheet>
