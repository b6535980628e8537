<?xml version="1.0" encoding="UTF-8"?>
<!--
  swnode map: certificate of origin, international form -> domestic form.

  Input:  i:CertificateOfOrigin valid against international.xsd.
  Output: CertificateOfOrigin in urn:swnode:domestic:eco:1, valid against
          domestic.xsd.
  A pure function of the input: no parameters, no dates, no extensions.
  Inverse of to-international.xsl.  Dropped on the way in (see
  docs/doctypes/eco.md, "Known limitations"): the time part of date-time
  values, the signatory parties' names, the package level code, the
  referenced certificate's type code, and invoice references that differ
  from the first one.

  Free text is copied as it is (the international schema already forbids
  leading and trailing blanks); codes, numbers and dates go through
  normalize-space() because their schema types collapse white space.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:i="urn:swnode:international:CertificateOfOrigin:1"
                xmlns="urn:swnode:domestic:eco:1"
                exclude-result-prefixes="i">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:template match="/">
    <xsl:apply-templates select="i:CertificateOfOrigin"/>
  </xsl:template>

  <xsl:template match="i:CertificateOfOrigin">
    <xsl:variable name="doc" select="i:ExchangedDocument"/>
    <xsl:variable name="con" select="i:SpecifiedConsignment"/>
    <xsl:variable name="move" select="$con/i:MainCarriageLogisticsTransportMovement"/>
    <xsl:variable name="invoice"
                  select="($con/i:IncludedConsignmentItem/i:IncludedTradeLineItem/i:InvoiceAssociatedReferencedDocument)[1]"/>
    <CertificateOfOrigin>
      <CertificateNumber><xsl:value-of select="normalize-space($doc/i:ID)"/></CertificateNumber>
      <CertificateType><xsl:apply-templates select="$doc/i:TypeCode"/></CertificateType>
      <Status><xsl:apply-templates select="i:Status"/></Status>
      <xsl:if test="$doc/i:ReferenceReferencedDocument">
        <ReplacesCertificateNumber>
          <xsl:value-of select="normalize-space($doc/i:ReferenceReferencedDocument/i:ID)"/>
        </ReplacesCertificateNumber>
      </xsl:if>
      <IssueDate><xsl:apply-templates select="$doc/i:IssueDateTime" mode="date"/></IssueDate>
      <IssuingAuthority>
        <Name><xsl:value-of select="$doc/i:IssuerTradeParty/i:Name"/></Name>
        <Code><xsl:value-of select="normalize-space($doc/i:IssuerTradeParty/i:ID)"/></Code>
      </IssuingAuthority>
      <Exporter>
        <xsl:apply-templates select="$con/i:ConsignorTradeParty" mode="party"/>
      </Exporter>
      <Consignee>
        <xsl:apply-templates select="$con/i:ConsigneeTradeParty" mode="party"/>
      </Consignee>
      <xsl:if test="i:FreeTradeAgreement">
        <FreeTradeAgreement><xsl:apply-templates select="i:FreeTradeAgreement"/></FreeTradeAgreement>
      </xsl:if>
      <Preferential><xsl:apply-templates select="i:IsPreferential"/></Preferential>
      <Transport>
        <Mode><xsl:apply-templates select="$move/i:ModeCode"/></Mode>
        <xsl:if test="$move/i:UsedLogisticsTransportMeans">
          <MeansName><xsl:value-of select="$move/i:UsedLogisticsTransportMeans/i:Name"/></MeansName>
        </xsl:if>
        <xsl:if test="$move/i:ID">
          <VoyageNumber><xsl:value-of select="$move/i:ID"/></VoyageNumber>
        </xsl:if>
        <xsl:if test="$con/i:ExportExitDateTime">
          <DepartureDate><xsl:apply-templates select="$con/i:ExportExitDateTime" mode="date"/></DepartureDate>
        </xsl:if>
        <xsl:if test="$con/i:LoadingLogisticsLocation">
          <LoadingPort>
            <xsl:apply-templates select="$con/i:LoadingLogisticsLocation" mode="port"/>
          </LoadingPort>
        </xsl:if>
        <DischargePort>
          <xsl:apply-templates select="$con/i:UnloadingLogisticsLocation" mode="port"/>
        </DischargePort>
      </Transport>
      <xsl:if test="$invoice">
        <Invoice>
          <Number><xsl:value-of select="normalize-space($invoice/i:ID)"/></Number>
          <xsl:if test="$invoice/i:FormattedIssueDateTime">
            <Date><xsl:apply-templates select="$invoice/i:FormattedIssueDateTime" mode="date"/></Date>
          </xsl:if>
        </Invoice>
      </xsl:if>
      <Items>
        <xsl:apply-templates select="$con/i:IncludedConsignmentItem"/>
      </Items>
      <xsl:if test="$doc/i:IncludedNote">
        <Remarks><xsl:value-of select="$doc/i:IncludedNote/i:Content"/></Remarks>
      </xsl:if>
      <ExporterDeclaration>
        <xsl:apply-templates select="$doc/i:SecondSignatoryDocumentAuthentication" mode="signature"/>
      </ExporterDeclaration>
      <Certification>
        <xsl:apply-templates select="$doc/i:FirstSignatoryDocumentAuthentication" mode="signature"/>
      </Certification>
    </CertificateOfOrigin>
  </xsl:template>

  <!-- YYYY-MM-DD from a date or a date-time value (time part dropped). -->
  <xsl:template match="*" mode="date">
    <xsl:value-of select="substring(normalize-space(.), 1, 10)"/>
  </xsl:template>

  <xsl:template match="i:ConsignorTradeParty | i:ConsigneeTradeParty" mode="party">
    <xsl:if test="i:ID">
      <ID><xsl:value-of select="normalize-space(i:ID)"/></ID>
    </xsl:if>
    <Name><xsl:value-of select="i:Name"/></Name>
    <xsl:for-each select="i:PostalTradeAddress/i:LineOne | i:PostalTradeAddress/i:LineTwo
                          | i:PostalTradeAddress/i:LineThree">
      <AddressLine><xsl:value-of select="."/></AddressLine>
    </xsl:for-each>
    <Country><xsl:value-of select="normalize-space(i:PostalTradeAddress/i:CountryID)"/></Country>
  </xsl:template>

  <xsl:template match="i:LoadingLogisticsLocation | i:UnloadingLogisticsLocation" mode="port">
    <Code><xsl:value-of select="normalize-space(i:ID)"/></Code>
    <xsl:if test="i:Name">
      <Name><xsl:value-of select="i:Name"/></Name>
    </xsl:if>
  </xsl:template>

  <xsl:template match="i:FirstSignatoryDocumentAuthentication | i:SecondSignatoryDocumentAuthentication"
                mode="signature">
    <Place><xsl:value-of select="i:IssueLogisticsLocation/i:Name"/></Place>
    <Date><xsl:apply-templates select="i:ActualDateTime" mode="date"/></Date>
    <xsl:if test="i:ProviderTradeParty/i:SpecifiedAuthoritativeSignatoryPerson">
      <Signatory>
        <xsl:value-of select="i:ProviderTradeParty/i:SpecifiedAuthoritativeSignatoryPerson/i:Name"/>
      </Signatory>
    </xsl:if>
  </xsl:template>

  <xsl:template match="i:IncludedConsignmentItem">
    <xsl:variable name="line" select="i:IncludedTradeLineItem"/>
    <xsl:variable name="product" select="$line/i:SpecifiedTradeProduct"/>
    <xsl:variable name="package" select="$line/i:PhysicalReferencedLogisticsPackage"/>
    <xsl:variable name="procedure" select="i:ApplicableCrossBorderRegulatoryProcedure"/>
    <Item>
      <SequenceNumber><xsl:value-of select="normalize-space($line/i:SequenceNumeric)"/></SequenceNumber>
      <HSCode><xsl:value-of select="normalize-space($product/i:DesignatedProductClassification/i:ClassCode)"/></HSCode>
      <Description><xsl:value-of select="$product/i:Description"/></Description>
      <Quantity unit="{normalize-space($line/i:ProductQuantity/@unitCode)}">
        <xsl:value-of select="normalize-space($line/i:ProductQuantity)"/>
      </Quantity>
      <Packages>
        <Count><xsl:value-of select="normalize-space($package/i:ItemQuantity)"/></Count>
        <Kind><xsl:value-of select="normalize-space($package/i:TypeCode)"/></Kind>
      </Packages>
      <xsl:if test="$package/i:GrossWeightMeasure">
        <GrossWeight unit="{normalize-space($package/i:GrossWeightMeasure/@unitCode)}">
          <xsl:value-of select="normalize-space($package/i:GrossWeightMeasure)"/>
        </GrossWeight>
      </xsl:if>
      <xsl:if test="$procedure/i:ExportLicenceControlClassificationID">
        <OriginCriterion>
          <xsl:value-of select="normalize-space($procedure/i:ExportLicenceControlClassificationID)"/>
        </OriginCriterion>
      </xsl:if>
      <xsl:if test="$procedure/i:OriginCriteriaText">
        <OriginCriterionText><xsl:value-of select="$procedure/i:OriginCriteriaText"/></OriginCriterionText>
      </xsl:if>
      <OriginCountry><xsl:value-of select="normalize-space($product/i:OriginTradeCountry/i:ID)"/></OriginCountry>
      <xsl:if test="$product/i:ManufacturerTradeParty">
        <Manufacturer>
          <xsl:if test="$product/i:ManufacturerTradeParty/i:ID">
            <ID><xsl:value-of select="normalize-space($product/i:ManufacturerTradeParty/i:ID)"/></ID>
          </xsl:if>
          <Name><xsl:value-of select="$product/i:ManufacturerTradeParty/i:Name"/></Name>
          <xsl:if test="$product/i:ManufacturerTradeParty/i:PostalTradeAddress">
            <Country>
              <xsl:value-of select="normalize-space($product/i:ManufacturerTradeParty/i:PostalTradeAddress/i:CountryID)"/>
            </Country>
          </xsl:if>
        </Manufacturer>
      </xsl:if>
    </Item>
  </xsl:template>

  <!-- ============ code lists (inverse tables in to-international.xsl) ============ -->

  <xsl:template match="i:TypeCode">
    <xsl:variable name="c" select="normalize-space(.)"/>
    <xsl:choose>
      <xsl:when test="$c = '860'">Application</xsl:when>
      <xsl:when test="$c = '861'">NonPreferential</xsl:when>
      <xsl:when test="$c = '864'">Preferential</xsl:when>
      <xsl:when test="$c = '865'">GSP</xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="i:Status">
    <xsl:variable name="c" select="normalize-space(.)"/>
    <xsl:choose>
      <xsl:when test="$c = 'issued'">Issued</xsl:when>
      <xsl:when test="$c = 'replaced'">Replaced</xsl:when>
      <xsl:when test="$c = 'cancelled'">Cancelled</xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="i:IsPreferential">
    <xsl:value-of select="normalize-space(.)"/>
  </xsl:template>

  <xsl:template match="i:ModeCode">
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

  <xsl:template match="i:FreeTradeAgreement">
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
