<?xml version="1.0" encoding="UTF-8"?>
<!--
  swnode map: certificate of origin, partner profile eco-cefact -> domestic
  form.

  Input:  p:bspPreferentialCoO valid against international.xsd.
  Output: CertificateOfOrigin in urn:swnode:domestic:eco:1, valid against
          ../eco/domestic.xsd, for every valid input.
  A pure function of the input: no parameters, no dates, no extensions.
  Inverse of to-international.xsl.  What the domestic form cannot hold is
  left out (docs/doctypes/eco-cefact.md, "What the way in leaves out"); the
  node lists it in the loss report of the message: the time part of
  date-time values, address lines four and five, notes after the first,
  the provider's name, location ids of the two signatures, note subject
  codes, classification system, package level and document type codes,
  and invoice references that differ from the first one.

  Free text is copied as it is (the schema already forbids leading and
  trailing blanks, and its lengths are the domestic ones); codes, numbers
  and dates go through normalize-space() because their schema types
  collapse white space.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:p="urn:swnode:partner:eco-cefact:1"
                xmlns="urn:swnode:domestic:eco:1"
                exclude-result-prefixes="p">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:template match="/">
    <xsl:if test="not(p:bspPreferentialCoO)">
      <xsl:message terminate="yes">to-domestic: root element is not bspPreferentialCoO in urn:swnode:partner:eco-cefact:1</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="p:bspPreferentialCoO"/>
  </xsl:template>

  <xsl:template match="p:bspPreferentialCoO">
    <xsl:variable name="doc" select="p:exchangedDocument"/>
    <xsl:variable name="con" select="p:specifiedConsignment"/>
    <xsl:variable name="move" select="$con/p:mainCarriageLogisticsTransportMovement"/>
    <xsl:variable name="procedure" select="$con/p:applicableCrossBorderRegulatoryProcedure"/>
    <xsl:variable name="invoice"
                  select="($con/p:includedConsignmentItem/p:includedTradeLineItem/p:invoiceAssociatedReferencedDocument)[1]"/>
    <CertificateOfOrigin>
      <CertificateNumber><xsl:value-of select="normalize-space($doc/p:id)"/></CertificateNumber>
      <CertificateType><xsl:apply-templates select="$doc/p:typeCode"/></CertificateType>
      <Status><xsl:apply-templates select="$doc/p:x-status"/></Status>
      <xsl:if test="$doc/p:referenceReferencedDocument">
        <ReplacesCertificateNumber>
          <xsl:value-of select="normalize-space($doc/p:referenceReferencedDocument/p:id)"/>
        </ReplacesCertificateNumber>
      </xsl:if>
      <IssueDate><xsl:apply-templates select="$doc/p:issueDateTime" mode="date"/></IssueDate>
      <IssuingAuthority>
        <Name><xsl:value-of select="$doc/p:issuer/p:name"/></Name>
        <Code><xsl:value-of select="normalize-space($doc/p:issuer/p:id)"/></Code>
      </IssuingAuthority>
      <Exporter>
        <xsl:apply-templates select="$con/p:consignor" mode="party"/>
      </Exporter>
      <Consignee>
        <xsl:apply-templates select="$con/p:consignee" mode="party"/>
      </Consignee>
      <xsl:if test="$procedure/p:freeTradeAgreementName">
        <FreeTradeAgreement><xsl:apply-templates select="$procedure/p:freeTradeAgreementName"/></FreeTradeAgreement>
      </xsl:if>
      <Preferential><xsl:value-of select="normalize-space($procedure/p:x-isPreferential)"/></Preferential>
      <Transport>
        <Mode><xsl:apply-templates select="$move/p:modeCode"/></Mode>
        <xsl:if test="$move/p:usedLogisticsTransportMeans">
          <MeansName><xsl:value-of select="$move/p:usedLogisticsTransportMeans/p:name"/></MeansName>
        </xsl:if>
        <xsl:if test="$move/p:id">
          <VoyageNumber><xsl:value-of select="$move/p:id"/></VoyageNumber>
        </xsl:if>
        <xsl:if test="$con/p:exportExitDateTime">
          <DepartureDate><xsl:apply-templates select="$con/p:exportExitDateTime" mode="date"/></DepartureDate>
        </xsl:if>
        <xsl:if test="$con/p:loadingLogisticsLocation">
          <LoadingPort>
            <xsl:apply-templates select="$con/p:loadingLogisticsLocation" mode="port"/>
          </LoadingPort>
        </xsl:if>
        <DischargePort>
          <xsl:apply-templates select="$con/p:unloadingLogisticsLocation" mode="port"/>
        </DischargePort>
      </Transport>
      <xsl:if test="$invoice">
        <Invoice>
          <Number><xsl:value-of select="normalize-space($invoice/p:id)"/></Number>
          <xsl:if test="$invoice/p:formattedIssueDateTime">
            <Date><xsl:apply-templates select="$invoice/p:formattedIssueDateTime" mode="date"/></Date>
          </xsl:if>
        </Invoice>
      </xsl:if>
      <Items>
        <xsl:apply-templates select="$con/p:includedConsignmentItem"/>
      </Items>
      <xsl:if test="$doc/p:includedNote">
        <Remarks><xsl:value-of select="$doc/p:includedNote[1]/p:content"/></Remarks>
      </xsl:if>
      <ExporterDeclaration>
        <Place><xsl:value-of select="$doc/p:x-exporterDeclaration/p:issueLogisticsLocation/p:name"/></Place>
        <Date><xsl:apply-templates select="$doc/p:x-exporterDeclaration/p:actualDateTime" mode="date"/></Date>
        <xsl:if test="$con/p:consignor/p:specifiedAuthoritativeSignatoryPerson">
          <Signatory><xsl:value-of select="$con/p:consignor/p:specifiedAuthoritativeSignatoryPerson/p:name"/></Signatory>
        </xsl:if>
      </ExporterDeclaration>
      <Certification>
        <xsl:variable name="cert" select="$doc/p:firstSignatoryDocumentAuthentication"/>
        <Place><xsl:value-of select="$cert/p:issueLogisticsLocation/p:name"/></Place>
        <Date><xsl:apply-templates select="$cert/p:actualDateTime" mode="date"/></Date>
        <Signatory><xsl:value-of select="$cert/p:provider/p:specifiedAuthoritativeSignatoryPerson/p:name"/></Signatory>
      </Certification>
    </CertificateOfOrigin>
  </xsl:template>

  <!-- YYYY-MM-DD from a date or a date-time value (time part dropped). -->
  <xsl:template match="*" mode="date">
    <xsl:value-of select="substring(normalize-space(.), 1, 10)"/>
  </xsl:template>

  <!-- Consignor / consignee: address lines one to three are kept. -->
  <xsl:template match="p:consignor | p:consignee" mode="party">
    <xsl:if test="p:id">
      <ID><xsl:value-of select="normalize-space(p:id)"/></ID>
    </xsl:if>
    <Name><xsl:value-of select="p:name"/></Name>
    <xsl:for-each select="p:postalTradeAddress/p:lineOne | p:postalTradeAddress/p:lineTwo
                          | p:postalTradeAddress/p:lineThree">
      <AddressLine><xsl:value-of select="."/></AddressLine>
    </xsl:for-each>
    <Country><xsl:value-of select="normalize-space(p:postalTradeAddress/p:countryId)"/></Country>
  </xsl:template>

  <xsl:template match="p:loadingLogisticsLocation | p:unloadingLogisticsLocation" mode="port">
    <Code><xsl:value-of select="normalize-space(p:id)"/></Code>
    <xsl:if test="p:name">
      <Name><xsl:value-of select="p:name"/></Name>
    </xsl:if>
  </xsl:template>

  <xsl:template match="p:includedConsignmentItem">
    <xsl:variable name="line" select="p:includedTradeLineItem"/>
    <xsl:variable name="product" select="$line/p:specifiedTradeProduct"/>
    <xsl:variable name="package" select="$line/p:physicalReferencedLogisticsPackage"/>
    <xsl:variable name="procedure" select="p:applicableCrossBorderRegulatoryProcedure"/>
    <xsl:variable name="maker" select="$product/p:manufacturer"/>
    <Item>
      <SequenceNumber><xsl:value-of select="normalize-space(p:id)"/></SequenceNumber>
      <HSCode><xsl:value-of select="normalize-space($product/p:designatedProductClassification/p:classCode)"/></HSCode>
      <Description><xsl:value-of select="$product/p:commonName"/></Description>
      <Quantity unit="{normalize-space($line/p:x-productQuantity/@unitCode)}">
        <xsl:value-of select="normalize-space($line/p:x-productQuantity)"/>
      </Quantity>
      <Packages>
        <Count><xsl:value-of select="normalize-space($package/p:itemQuantity)"/></Count>
        <Kind><xsl:value-of select="normalize-space($package/p:typeCode)"/></Kind>
      </Packages>
      <xsl:if test="$package/p:grossWeightMeasure">
        <GrossWeight unit="{normalize-space($package/p:grossWeightMeasure/@unitCode)}">
          <xsl:value-of select="normalize-space($package/p:grossWeightMeasure)"/>
        </GrossWeight>
      </xsl:if>
      <xsl:if test="$procedure/p:exportLicenceControlClassificationId">
        <OriginCriterion>
          <xsl:value-of select="normalize-space($procedure/p:exportLicenceControlClassificationId)"/>
        </OriginCriterion>
      </xsl:if>
      <xsl:if test="$procedure/p:originCriteria">
        <OriginCriterionText><xsl:value-of select="$procedure/p:originCriteria"/></OriginCriterionText>
      </xsl:if>
      <OriginCountry><xsl:value-of select="normalize-space($product/p:originTradeCountry/p:id)"/></OriginCountry>
      <xsl:if test="$maker">
        <Manufacturer>
          <xsl:if test="$maker/p:id">
            <ID><xsl:value-of select="normalize-space($maker/p:id)"/></ID>
          </xsl:if>
          <Name><xsl:value-of select="$maker/p:name"/></Name>
          <xsl:if test="$maker/p:postalTradeAddress">
            <Country><xsl:value-of select="normalize-space($maker/p:postalTradeAddress/p:countryId)"/></Country>
          </xsl:if>
        </Manufacturer>
      </xsl:if>
    </Item>
  </xsl:template>

  <!-- ============ code lists (inverse tables in to-international.xsl) ============ -->

  <xsl:template match="p:typeCode">
    <xsl:variable name="c" select="normalize-space(.)"/>
    <xsl:choose>
      <xsl:when test="$c = '860'">Application</xsl:when>
      <xsl:when test="$c = '861'">NonPreferential</xsl:when>
      <xsl:when test="$c = '864'">Preferential</xsl:when>
      <xsl:when test="$c = '865'">GSP</xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="p:x-status">
    <xsl:variable name="c" select="normalize-space(.)"/>
    <xsl:choose>
      <xsl:when test="$c = 'issued'">Issued</xsl:when>
      <xsl:when test="$c = 'replaced'">Replaced</xsl:when>
      <xsl:when test="$c = 'cancelled'">Cancelled</xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="p:modeCode">
    <xsl:variable name="c" select="normalize-space(.)"/>
    <xsl:choose>
      <xsl:when test="$c = '1'">Sea</xsl:when>
      <xsl:when test="$c = '2'">Rail</xsl:when>
      <xsl:when test="$c = '3'">Road</xsl:when>
      <xsl:when test="$c = '4'">Air</xsl:when>
      <xsl:when test="$c = '5'">Mail</xsl:when>
      <xsl:when test="$c = '6'">Multimodal</xsl:when>
      <xsl:when test="$c = '7'">FixedInstallation</xsl:when>
      <xsl:when test="$c = '8'">InlandWaterway</xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="p:freeTradeAgreementName">
    <xsl:choose>
      <xsl:when test=". = 'ASEAN-China Free Trade Area'">CN-ASEAN</xsl:when>
      <xsl:when test=". = 'Regional Comprehensive Economic Partnership'">RCEP</xsl:when>
      <xsl:when test=". = 'China-Korea Free Trade Agreement'">CN-KR</xsl:when>
      <xsl:when test=". = 'China-Pakistan Free Trade Agreement'">CN-PK</xsl:when>
      <xsl:when test=". = 'China-New Zealand Free Trade Agreement'">CN-NZ</xsl:when>
      <xsl:when test=". = 'China-Australia Free Trade Agreement'">CN-AU</xsl:when>
      <xsl:when test=". = 'China-Singapore Free Trade Agreement'">CN-SG</xsl:when>
      <xsl:when test=". = 'China-Chile Free Trade Agreement'">CN-CL</xsl:when>
      <xsl:when test=". = 'China-Peru Free Trade Agreement'">CN-PE</xsl:when>
      <xsl:when test=". = 'China-Costa Rica Free Trade Agreement'">CN-CR</xsl:when>
      <xsl:when test=". = 'China-Switzerland Free Trade Agreement'">CN-CH</xsl:when>
      <xsl:when test=". = 'China-Iceland Free Trade Agreement'">CN-IS</xsl:when>
      <xsl:when test=". = 'China-Georgia Free Trade Agreement'">CN-GE</xsl:when>
      <xsl:when test=". = 'China-Mauritius Free Trade Agreement'">CN-MU</xsl:when>
      <xsl:when test=". = 'China-Cambodia Free Trade Agreement'">CN-KH</xsl:when>
      <xsl:when test=". = 'China-Serbia Free Trade Agreement'">CN-RS</xsl:when>
      <xsl:when test=". = 'China-Nicaragua Free Trade Agreement'">CN-NI</xsl:when>
      <xsl:when test=". = 'China-Ecuador Free Trade Agreement'">CN-EC</xsl:when>
      <xsl:when test=". = 'Asia-Pacific Trade Agreement'">APTA</xsl:when>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
